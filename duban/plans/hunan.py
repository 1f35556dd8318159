"""Hunan's 14 市州 and their 122 县市区 (2023), in the region-list format read by ``duban load_regions``.

Format: the first line is the province; every further line is ``市州：县市区 县市区 …``
(``#`` starts a comment). Another province's list in the same format can be loaded from a file.
"""

from __future__ import annotations

import re

HUNAN = """\
湖南省
长沙市：芙蓉区 天心区 岳麓区 开福区 雨花区 望城区 长沙县 浏阳市 宁乡市
株洲市：荷塘区 芦淞区 石峰区 天元区 渌口区 攸县 茶陵县 炎陵县 醴陵市
湘潭市：雨湖区 岳塘区 湘潭县 湘乡市 韶山市
衡阳市：珠晖区 雁峰区 石鼓区 蒸湘区 南岳区 衡阳县 衡南县 衡山县 衡东县 祁东县 耒阳市 常宁市
邵阳市：双清区 大祥区 北塔区 新邵县 邵阳县 隆回县 洞口县 绥宁县 新宁县 城步苗族自治县 武冈市 邵东市
岳阳市：岳阳楼区 云溪区 君山区 岳阳县 华容县 湘阴县 平江县 汨罗市 临湘市
常德市：武陵区 鼎城区 安乡县 汉寿县 澧县 临澧县 桃源县 石门县 津市市
张家界市：永定区 武陵源区 慈利县 桑植县
益阳市：资阳区 赫山区 南县 桃江县 安化县 沅江市
郴州市：北湖区 苏仙区 桂阳县 宜章县 永兴县 嘉禾县 临武县 汝城县 桂东县 安仁县 资兴市
永州市：零陵区 冷水滩区 东安县 双牌县 道县 江永县 宁远县 蓝山县 新田县 江华瑶族自治县 祁阳市
怀化市：鹤城区 中方县 沅陵县 辰溪县 溆浦县 会同县 麻阳苗族自治县 新晃侗族自治县 芷江侗族自治县 靖州苗族侗族自治县 通道侗族自治县 洪江市
娄底市：娄星区 双峰县 新化县 冷水江市 涟源市
湘西土家族苗族自治州：吉首市 泸溪县 凤凰县 花垣县 保靖县 古丈县 永顺县 龙山县
"""

# the 55 minority names, longer spellings first where one starts another (土家 before 土)
_NATIONALITIES = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|"
    "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|"
    "保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_ETHNIC = re.compile(f"(?:(?:{_NATIONALITIES})族)+自治(?=[州县旗])")


def short_name(name: str) -> str:
    """The everyday name of an autonomous region (湘西土家族苗族自治州 -> 湘西州); '' for others."""
    short = _ETHNIC.sub("", name)
    return short if short != name else ""


def parse_region_list(text: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """(province, [(市州, [县市区 …]) …]) from the region-list format."""
    rows = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    rows = [r for r in rows if r]
    if not rows:
        raise ValueError("地区清单是空的")
    province, cities = rows[0], []
    for row in rows[1:]:
        city, sep, rest = row.replace(":", "：").partition("：")
        if not sep or not city.strip():
            raise ValueError(f"地区清单格式不对（应为“市州：县市区 县市区”）：{row}")
        cities.append((city.strip(), rest.split()))
    return province, cities
